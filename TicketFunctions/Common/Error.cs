namespace TicketFunctions.Common;

/// <summary>An expected failure of application logic; <see cref="Problems.From"/> turns it into the HTTP answer.</summary>
public abstract record Error
{
    public sealed record Invalid(IDictionary<string, string[]> Errors) : Error
    {
        public Invalid(string field, string message)
            : this(new Dictionary<string, string[]> { [field] = [message] })
        {
        }
    }

    public sealed record NotFound(string Detail) : Error;

    public sealed record Conflict(string Code, string Detail, IDictionary<string, object?>? Extensions = null) : Error;

    public sealed record Forbidden(string Detail) : Error;

    /// <summary>The credentials are wrong (401 with <c>WWW-Authenticate: Bearer</c>).</summary>
    public sealed record Unauthorized(string Detail) : Error;

    /// <summary>Too many attempts: 429 with <c>Retry-After</c> in whole seconds.</summary>
    public sealed record TooManyRequests(string Detail, TimeSpan RetryAfter) : Error;

    /// <summary>The server is too busy for this request now: 503 with <c>Retry-After</c> in whole seconds.</summary>
    public sealed record Unavailable(string Detail, TimeSpan RetryAfter) : Error;
}

/// <summary>A value or an <see cref="Error"/>.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The result is an error: {Error}.");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Error error) => new(default, error);

    public TOut Match<TOut>(Func<T, TOut> success, Func<Error, TOut> failure) => Error is null ? success(_value!) : failure(Error);
}
