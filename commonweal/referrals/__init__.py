"""Referrals: referrals in, the caseload and the Three Conversations, connections out, messages back."""
