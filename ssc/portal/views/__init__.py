"""Staff pages. Views are thin: parse input, call one selector or service, render."""
