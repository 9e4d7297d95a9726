"""The ACTIVITY.CR site generator: load, read, plan, render, write."""
