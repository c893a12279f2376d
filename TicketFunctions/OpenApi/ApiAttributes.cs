namespace TicketFunctions.OpenApi;

/// <summary>Who may call an operation; 401 and 403 answers are documented from it.</summary>
public enum ApiAccess
{
    Anonymous,
    User,
    Admin,
}

/// <summary>Describes an HTTP function for the OpenAPI document: its tag, summary and who may call it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag { get; } = tag;

    public string Summary { get; } = summary;

    public string? Description { get; init; }

    public ApiAccess Access { get; init; } = ApiAccess.Anonymous;
}

/// <summary>The JSON request body of an operation (400, 413 and 415 answers are documented with it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiRequestBodyAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

/// <summary>One answer of an operation: its status code and, when it has a JSON body, the body's type.</summary>
/// <remarks>Error statuses (4xx, 5xx) are documented as problem details; give only a description for them.</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, Type? type = null) : Attribute
{
    public int Status { get; } = status;

    public Type? Type { get; } = type;

    public string? Description { get; init; }

    /// <summary>The media type of a success body that is not JSON (a page, a file); JSON when not given.</summary>
    public string? ContentType { get; init; }
}

/// <summary>A query string parameter that the function reads.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, Type type) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;

    public string? Description { get; init; }

    public bool Required { get; init; }
}

/// <summary>A request header that the function reads (other than Authorization).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiHeaderAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string? Description { get; init; }
}

/// <summary>The paging parameters page and pageSize (1..100, default 20).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiPagedAttribute : Attribute;
