"""Participatory budgeting rounds in plain data (no Django): what a valid ballot is, who may vote and
with what weight, how a round becomes an election for the core's rules and a `.pb` file, and the chart.

The voting rules themselves and the `.pb` reader and writer are the core's (`budgeting/core/`);
these modules only wrap them for the web layer.
"""
