using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// Lines for the console of the test run (`npm test`), such as figures and artifact paths: xunit diagnostic messages,
/// switched on in xunit.runner.json. Take it as a class fixture.
/// </summary>
public sealed class Report(IMessageSink sink)
{
    public void Line(string text) => sink.OnMessage(new DiagnosticMessage(text));
}
