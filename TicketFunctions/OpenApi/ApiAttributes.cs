namespace TicketFunctions.OpenApi;

// What a function reads from its request that no Functions or ASP.NET Core metadata can say: the function reads its
// query and headers itself. Its JSON body, tags, summaries and answers use the standard attributes
// ([Consumes(typeof(...), "application/json")], [Tags], [EndpointSummary], [EndpointDescription],
// [ProducesResponseType]); who may call it is [Access].

/// <summary>A query string parameter that the function reads; <see cref="OneOf"/> names the constants class of its values.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, Type type) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;

    public string? Description { get; init; }

    public Type? OneOf { get; init; }
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

/// <summary>The paging parameters page and pageSize (1..100, default 20).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiPagedAttribute : Attribute;
