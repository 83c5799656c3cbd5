"""Drafts, their structure, opinions on each article, reports and adoption feedback."""
