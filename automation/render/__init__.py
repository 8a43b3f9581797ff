"""Templates to mail, calendar invitations and the public site."""
