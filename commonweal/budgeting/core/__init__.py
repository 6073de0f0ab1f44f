"""The pure core of participatory budgeting (no Django): elections, the `.pb` format, the voting rules
(greedy, Method of Equal Shares, Phragmén, maximum welfare) checked against pabutools, and in `rounds/`
the wrapping a web round needs; with the `commonweal budgeting` command that counts `.pb` files."""
