from cip.cli import app

app(prog_name="cip")
