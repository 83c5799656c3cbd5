"""Suggestions, proposals and bills: co-signing, filing, merging, assignment, replies, evaluation."""
