using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>
/// Turns C# types into OpenAPI schemas through System.Text.Json's own contract (the one that writes the responses
/// and reads the requests): names as serialized, required and nullable members, enums as their wire strings.
/// Object and enum types become components referenced with $ref.
/// </summary>
internal sealed class JsonSchemas(OpenApiDocument document, JsonSerializerOptions options)
{
    private readonly Dictionary<Type, string> _names = [];

    private IDictionary<string, IOpenApiSchema> Components => document.Components!.Schemas!;

    /// <summary>The schema for a value of <paramref name="type"/>: a $ref for objects and enums, inline otherwise.</summary>
    public IOpenApiSchema For(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        return underlying is null ? ForNonNull(type) : OrNull(ForNonNull(underlying), underlying);
    }

    /// <summary>The component name that <paramref name="type"/> is (or will be) stored under.</summary>
    public string NameOf(Type type)
    {
        if (_names.TryGetValue(type, out var name))
        {
            return name;
        }

        name = BaseName(type);
        if (_names.ContainsValue(name))
        {
            // Two types of one name in different areas: qualify the later one with its namespace's last part.
            name = type.Namespace?.Split('.')[^1] + name;
        }

        _names[type] = name;
        return name;
    }

    /// <summary>A schema that also allows null (OpenAPI 3.0 writes it as <c>nullable: true</c>).</summary>
    public static IOpenApiSchema OrNull(IOpenApiSchema schema, Type type) => schema switch
    {
        OpenApiSchemaReference reference => new OpenApiSchema
        {
            Type = (type.IsEnum ? JsonSchemaType.String : JsonSchemaType.Object) | JsonSchemaType.Null,
            AllOf = [reference],
        },
        OpenApiSchema inline => WithNull(inline),
        _ => schema,
    };

    private static OpenApiSchema WithNull(OpenApiSchema schema)
    {
        schema.Type = (schema.Type ?? JsonSchemaType.Object) | JsonSchemaType.Null;
        return schema;
    }

    private IOpenApiSchema ForNonNull(Type type)
    {
        if (Primitive(type) is { } primitive)
        {
            return primitive;
        }

        if (type.IsEnum)
        {
            return Component(type, () => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.SerializeToNode(v, type, options)!)],
            });
        }

        var info = options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => Component(type, () => ObjectSchema(info)),
            JsonTypeInfoKind.Enumerable => new OpenApiSchema { Type = JsonSchemaType.Array, Items = For(info.ElementType!) },
            JsonTypeInfoKind.Dictionary => new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = For(info.ElementType!),
            },

            // object, JsonElement, JsonNode: any JSON value.
            _ => new OpenApiSchema(),
        };
    }

    private OpenApiSchemaReference Component(Type type, Func<OpenApiSchema> create)
    {
        var name = NameOf(type);
        if (!Components.ContainsKey(name))
        {
            // Reserve the name first so that a type that refers to itself ends in a $ref, not a loop.
            Components[name] = new OpenApiSchema();
            Components[name] = create();
        }

        return new OpenApiSchemaReference(name, document);
    }

    private OpenApiSchema ObjectSchema(JsonTypeInfo info)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            Required = new SortedSet<string>(StringComparer.Ordinal),
            Description = info.Type.GetCustomAttribute<DescriptionAttribute>()?.Description,
        };

        foreach (var property in info.Properties.OrderBy(p => p.Order))
        {
            if (property.Get is null && property.Set is null)
            {
                continue;
            }

            var annotations = Annotations(property);
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || (!property.PropertyType.IsValueType && (property.IsGetNullable || property.IsSetNullable));
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var described = Describe(For(valueType), annotations);
            schema.Properties[property.Name] = nullable ? OrNull(described, valueType) : described;
            if (property.IsRequired)
            {
                schema.Required.Add(property.Name);
            }
        }

        return schema;
    }

    /// <summary>Applies data annotations (ranges, lengths, formats, descriptions) to a property's schema.</summary>
    private static IOpenApiSchema Describe(IOpenApiSchema value, List<Attribute> annotations)
    {
        if (annotations.Count == 0)
        {
            return value;
        }

        // A $ref cannot carry siblings in OpenAPI 3.0, so an annotated reference is wrapped in allOf.
        var schema = value as OpenApiSchema ?? new OpenApiSchema { Type = value.Type, AllOf = [value] };
        var isArray = schema.Type?.HasFlag(JsonSchemaType.Array) == true;
        foreach (var annotation in annotations)
        {
            switch (annotation)
            {
                case RangeAttribute range:
                    schema.Minimum = Invariant(range.Minimum);
                    schema.Maximum = Invariant(range.Maximum);
                    break;
                case StringLengthAttribute length:
                    schema.MaxLength = length.MaximumLength;
                    schema.MinLength = length.MinimumLength > 0 ? length.MinimumLength : schema.MinLength;
                    break;
                case MaxLengthAttribute max when isArray:
                    schema.MaxItems = max.Length;
                    break;
                case MaxLengthAttribute max:
                    schema.MaxLength = max.Length;
                    break;
                case MinLengthAttribute min when isArray:
                    schema.MinItems = min.Length;
                    break;
                case MinLengthAttribute min:
                    schema.MinLength = min.Length;
                    break;
                case LengthAttribute both when isArray:
                    schema.MinItems = both.MinimumLength;
                    schema.MaxItems = both.MaximumLength;
                    break;
                case LengthAttribute both:
                    schema.MinLength = both.MinimumLength;
                    schema.MaxLength = both.MaximumLength;
                    break;
                case EmailAddressAttribute:
                    schema.Format = "email";
                    break;
                case UrlAttribute:
                    schema.Format = "uri";
                    break;
                case RegularExpressionAttribute regex:
                    schema.Pattern = regex.Pattern;
                    break;
                case DescriptionAttribute description:
                    schema.Description = description.Description;
                    break;
            }
        }

        return schema;
    }

    private static List<Attribute> Annotations(JsonPropertyInfo property)
    {
        static bool Wanted(object a) => a is ValidationAttribute or DescriptionAttribute;
        var found = property.AttributeProvider?.GetCustomAttributes(inherit: true).Where(Wanted).Cast<Attribute>().ToList() ?? [];

        // Positional records may carry the attributes on the constructor parameter instead of the property.
        if (property.AssociatedParameter?.AttributeProvider is { } parameter)
        {
            found.AddRange(parameter.GetCustomAttributes(inherit: true).Where(Wanted).Cast<Attribute>()
                .Where(a => !found.Exists(f => f.GetType() == a.GetType())));
        }

        return found;
    }

    private static string? Invariant(object? value) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static OpenApiSchema? Primitive(Type type)
    {
        if (type == typeof(string))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String };
        }

        if (type == typeof(bool))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Boolean };
        }

        if (type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(ushort) || type == typeof(sbyte))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
        }

        if (type == typeof(long) || type == typeof(uint) || type == typeof(ulong))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" };
        }

        if (type == typeof(decimal))
        {
            // Money: the app writes decimals with exactly two places (Money.FromCents).
            return new OpenApiSchema
            {
                Type = JsonSchemaType.Number,
                Format = "decimal",
                Description = "A decimal amount with two places, such as 12.50.",
            };
        }

        if (type == typeof(double))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double" };
        }

        if (type == typeof(float))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" };
        }

        if (type == typeof(DateOnly))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" };
        }

        if (type == typeof(TimeOnly))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "time" };
        }

        if (type == typeof(TimeSpan))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Description = "A duration as d.hh:mm:ss, such as 00:10:00." };
        }

        if (type == typeof(Guid))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
        }

        if (type == typeof(Uri))
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" };
        }

        return type == typeof(byte[]) ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" } : null;
    }

    private static string BaseName(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var arguments = type.GetGenericArguments();
        if (type.GetGenericTypeDefinition() == typeof(PagedList<>))
        {
            // PagedList<MovieResponse> → MoviePage.
            var item = BaseName(arguments[0]);
            return (item.EndsWith("Response", StringComparison.Ordinal) ? item[..^"Response".Length] : item) + "Page";
        }

        return type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Concat(arguments.Select(BaseName));
    }
}
