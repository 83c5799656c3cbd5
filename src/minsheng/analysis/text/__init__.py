"""Text analysis without Django: the structure of laws and drafts (lawparse), text similarity."""
