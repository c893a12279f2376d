namespace TicketFunctions.OpenApi;

// What a function reads from its request that no Functions or ASP.NET Core metadata can say: the function reads its
// query and headers itself. Its JSON body, tags, summaries and answers use the standard attributes
// ([Consumes(typeof(...), "application/json")], [Tags], [EndpointSummary], [EndpointDescription],
// [ProducesResponseType]); who may call it is [Access].

/// <summary>The query record that the function reads with <c>ReadQuery</c>: its properties are the query parameters.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiQueryAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

/// <summary>A request header that the function reads (other than Authorization), with the limits the function checks.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiHeaderAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string? Description { get; init; }

    public int MaxLength { get; init; }

    public string? Pattern { get; init; }
}
