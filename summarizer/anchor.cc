// Keeps timelined_summarizer non-empty while its sources are added.
