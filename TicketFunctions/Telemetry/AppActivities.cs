using System.Diagnostics;

namespace TicketFunctions.Telemetry;

/// <summary>The app's own spans: a payment's processing, the gateway's calls, the confirmation, the sweeps, SQLite commands.</summary>
public static class AppActivities
{
    public const string SourceName = "TicketFunctions";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span whose parent is the request that started the work (a W3C traceparent carried in a queue message or
    /// stored on a payment), linked to the span the host started for this invocation so that either trace leads to
    /// the other. Without a valid traceparent (an old message) it is a child of the current span, as any other.
    /// </summary>
    public static Activity? StartContinuation(string name, string? traceParent, ActivityKind kind = ActivityKind.Consumer)
    {
        if (!ActivityContext.TryParse(traceParent, null, out var parent))
        {
            return Source.StartActivity(name, kind);
        }

        var current = Activity.Current;
        ActivityLink[]? links = current is null ? null : [new ActivityLink(current.Context)];
        return Source.StartActivity(name, kind, parent, links: links);
    }

    /// <summary>Links to the traces of the requests that started the work this span finishes (one per stored traceparent).</summary>
    public static Activity? StartLinked(string name, IEnumerable<string?> traceParents)
    {
        var links = new List<ActivityLink>();
        foreach (var traceParent in traceParents)
        {
            if (ActivityContext.TryParse(traceParent, null, out var context))
            {
                links.Add(new ActivityLink(context));
            }
        }

        return Source.StartActivity(name, ActivityKind.Internal, parentContext: default, links: links);
    }

    /// <summary>The W3C traceparent of the current span, to carry in a message or store with a payment; null when nothing is traced.</summary>
    public static string? CurrentTraceParent()
        => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
}
