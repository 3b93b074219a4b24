"""FastAGI server and the typed AGI session our call handlers use."""
