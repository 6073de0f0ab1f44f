"""Citizens' assemblies and steering groups: recruitment by lottery, selection, sessions,
recommendations and "you said, we did"."""
