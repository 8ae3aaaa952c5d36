from ccdoctor.cli import main

main()
