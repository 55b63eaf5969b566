"""No tables. The module exists so Django sends this app its own `post_migrate` signal."""
