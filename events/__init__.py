"""Trade fairs, events and sales livestreams: pages, calendar feeds and the live-now strip."""
