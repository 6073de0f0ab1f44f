"""The pure core of citizens' assemblies (no Django): the volunteer pool and quotas, the invitation lottery,
the quota features, and fair selection (LEXIMIN and others) checked against the sortition paper; and the
`commonweal assemblies` command that runs a selection from files."""
