"""Wire dialects. Each only translates: parse its format, call services or queries, render."""
