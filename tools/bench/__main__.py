from ..cli import main

main(args=["bench", *__import__("sys").argv[1:]], prog_name="python -m tools bench")
