// Keeps timelined_connectors non-empty while subfolders are added.
