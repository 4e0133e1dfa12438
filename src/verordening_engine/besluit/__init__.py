"""Stage 6, the decision: its document model, the article-by-article explanation and its views."""
