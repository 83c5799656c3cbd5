"""民声 intake, routing, work orders, reception days, social-conditions reports."""
