"""Supervision that closes the loop (监督): plans, activities, rectification, key projects, budget."""
