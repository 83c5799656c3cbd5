"""Settings per environment: base, dev, test, prod. The environment is read in env.py only."""
