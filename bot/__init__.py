"""The Telegram adapter around `surveys/`, and the `chorus` command line."""
