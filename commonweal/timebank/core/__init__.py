"""The timebank's ledger rules as plain data: no Django, no app (the `pure-cores` contract).

`ledger` turns transfers into movements in pairs, reverses them and replays balances; `policies` decides
what a credit limit does with a transfer (warn, block, refer) and who records and confirms one.
"""
