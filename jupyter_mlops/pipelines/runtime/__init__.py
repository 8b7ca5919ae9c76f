"""What runs inside a step's process or pod: the runner, its bootstrap, the runtime API.

Standard library first: a step image may lack everything else until ``bootstrap`` has
fetched the server's runtime wheel; nothing here imports the server side.
"""
