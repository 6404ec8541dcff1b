return SemanticRouter.Cli.CliApp.Run(args);
