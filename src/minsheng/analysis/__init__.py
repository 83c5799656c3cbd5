"""Pure-Python analysis libraries (no Django import): consensus maths, text."""
