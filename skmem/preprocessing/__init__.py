"""scikit-learn transformers: sliding windows, text and story vectorizers."""
