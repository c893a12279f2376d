namespace TicketFunctions.Benchmarks;

internal static class ScaleBench
{
    public static Task<Figure> RunAsync(BenchContext context) => throw new NotImplementedException();
}
