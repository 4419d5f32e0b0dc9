"""連絡文 and Zendesk: letters for the people who can fix a bounce, and tickets for support."""
