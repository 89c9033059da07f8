// Keeps timelined_daemon non-empty while its sources are added.
