"""The write side: command models, their handlers, and who may run them."""
