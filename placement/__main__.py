from placement.cli import app

app(prog_name="boendekedjan")
