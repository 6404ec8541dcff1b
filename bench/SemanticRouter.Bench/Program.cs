using SemanticRouter.Bench;

return args.Length > 0 && args[0] == "encoder"
    ? EncoderBench.Run(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/SemanticRouter.Bench -- encoder [--threads N] [--rounds N]");
    return 2;
}
