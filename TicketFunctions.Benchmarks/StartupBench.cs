namespace TicketFunctions.Benchmarks;

internal static class StartupBench
{
    public static Task<Figure> RunAsync(BenchContext context) => throw new NotImplementedException();
}

internal static class Hello
{
    public static Task RunAsync(int port) => throw new NotImplementedException();
}
