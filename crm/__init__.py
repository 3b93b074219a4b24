"""CRM: customers and their phone numbers, interactions (one per call leg), complaint
tickets with their workflow, SLA and escalation, search and CSV import / export."""
