"""ACD administration: queues, skills, agents, reason and disposition codes in the database."""
