from ecpartner.cli import main

raise SystemExit(main())
