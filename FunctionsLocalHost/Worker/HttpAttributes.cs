// Mirrors Microsoft.Azure.Functions.Worker.Extensions.Http 3.3.0.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

public enum AuthorizationLevel
{
    Anonymous = 0,
    User = 1,
    Function = 2,
    System = 3,
    Admin = 4,
}

/// <summary>Binds a parameter to the HTTP request that triggers the function.</summary>
public sealed class HttpTriggerAttribute : TriggerBindingAttribute
{
    public HttpTriggerAttribute()
    {
        AuthLevel = AuthorizationLevel.Function;
    }

    // As in the real attribute, this constructor leaves AuthLevel at its default value, Anonymous.
    public HttpTriggerAttribute(params string[] methods)
    {
        Methods = methods;
    }

    public HttpTriggerAttribute(AuthorizationLevel authLevel)
    {
        AuthLevel = authLevel;
    }

    public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods)
    {
        AuthLevel = authLevel;
        Methods = methods;
    }

    public string? Route { get; set; }

    public string[]? Methods { get; }

    public AuthorizationLevel AuthLevel { get; }
}

/// <summary>Marks the property of a returned object that holds the HTTP response.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpResultAttribute : OutputBindingAttribute;
