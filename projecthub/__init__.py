"""ProjectHub: set up and track projects across Productive, Jira, Confluence and Microsoft 365."""
