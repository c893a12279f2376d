using System.Text.Json;
using Microsoft.OpenApi;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.OpenApi;

public sealed class OpenApiSchemaTests
{
    private static readonly JsonElement Schemas = BuildSamples().GetProperty("components").GetProperty("schemas");

    [Fact]
    public void A_response_record_has_camel_case_names_and_every_member_required()
    {
        var item = Schemas.GetProperty(nameof(SampleItemResponse));

        Assert.Equal("object", item.GetProperty("type").GetString());
        Assert.Equal(
            ["confirmedAt", "createdAt", "day", "id", "note", "owner", "previousStatus", "price", "reviewer", "seats", "status", "title"],
            item.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["id", "title", "note", "status", "previousStatus", "price", "createdAt", "confirmedAt", "day", "seats", "owner", "reviewer"],
            item.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Nullable_members_are_nullable_and_the_others_are_not()
    {
        var properties = Schemas.GetProperty(nameof(SampleItemResponse)).GetProperty("properties");

        Assert.Equal(["string", "null"], Types(properties.GetProperty("note")));
        Assert.Equal(["string", "null"], Types(properties.GetProperty("confirmedAt")));
        Assert.Equal(["string"], Types(properties.GetProperty("title")));
        Assert.Equal(["string"], Types(properties.GetProperty("createdAt")));

        // A nullable reference is the referenced schema or null (OpenAPI 3.1), so no enum carries a null member.
        var reviewer = properties.GetProperty("reviewer").GetProperty("anyOf");
        Assert.Equal("#/components/schemas/SampleOwner", reviewer[0].GetProperty("$ref").GetString());
        Assert.Equal("null", reviewer[1].GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/SampleOwner", properties.GetProperty("owner").GetProperty("$ref").GetString());

        var previous = properties.GetProperty("previousStatus").GetProperty("anyOf");
        Assert.Equal("#/components/schemas/SampleStatus", previous[0].GetProperty("$ref").GetString());
        Assert.Equal("null", previous[1].GetProperty("type").GetString());
        Assert.DoesNotContain(Schemas.GetProperty(nameof(SampleStatus)).GetProperty("enum").EnumerateArray(), e => e.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void Enums_are_their_wire_strings_and_times_dates_money_and_ids_have_their_formats()
    {
        var status = Schemas.GetProperty(nameof(SampleStatus));
        Assert.Equal("string", status.GetProperty("type").GetString());
        Assert.Equal(["pending", "confirmed"], status.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));

        var properties = Schemas.GetProperty(nameof(SampleItemResponse)).GetProperty("properties");
        Assert.Equal("#/components/schemas/SampleStatus", properties.GetProperty("status").GetProperty("$ref").GetString());
        Assert.Equal(("string", "date-time"), TypeAndFormat(properties.GetProperty("createdAt")));
        Assert.Equal(("string", "date"), TypeAndFormat(properties.GetProperty("day")));
        Assert.Equal(("number", "decimal"), TypeAndFormat(properties.GetProperty("price")));
        Assert.Equal(("integer", "int64"), TypeAndFormat(properties.GetProperty("id")));
        Assert.Equal("array", properties.GetProperty("seats").GetProperty("type").GetString());
        Assert.Equal("string", properties.GetProperty("seats").GetProperty("items").GetProperty("type").GetString());
    }

    [Fact]
    public void A_request_record_carries_its_data_annotations_and_required_members()
    {
        var request = Schemas.GetProperty(nameof(SampleCreateRequest));
        var properties = request.GetProperty("properties");

        Assert.Equal(2, properties.GetProperty("title").GetProperty("minLength").GetInt32());
        Assert.Equal(100, properties.GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.Equal(1, properties.GetProperty("seatCount").GetProperty("minimum").GetInt32());
        Assert.Equal(10, properties.GetProperty("seatCount").GetProperty("maximum").GetInt32());
        Assert.Equal(0.01m, properties.GetProperty("price").GetProperty("minimum").GetDecimal());
        Assert.Equal(JsonSchemas.EmailPattern, properties.GetProperty("email").GetProperty("pattern").GetString());
        Assert.Equal(1, properties.GetProperty("seats").GetProperty("minItems").GetInt32());
        Assert.Equal(10, properties.GetProperty("seats").GetProperty("maxItems").GetInt32());
        Assert.Equal(["string", "null"], Types(properties.GetProperty("comment")));

        var required = request.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("day", required);
        Assert.Contains("title", required);
        Assert.DoesNotContain("comment", required);
    }

    [Fact]
    public async Task The_apps_own_auth_records_are_documented_as_the_wire_shows_them()
    {
        var schemas = (await OpenApiDocumentTests.ServedDocument()).GetProperty("components").GetProperty("schemas");

        var register = schemas.GetProperty("RegisterRequest").GetProperty("properties");
        Assert.Equal(JsonSchemas.EmailPattern, register.GetProperty("email").GetProperty("pattern").GetString());
        Assert.Equal(8, register.GetProperty("password").GetProperty("minLength").GetInt32());
        Assert.Equal(128, register.GetProperty("password").GetProperty("maxLength").GetInt32());

        var login = schemas.GetProperty("LoginResponse");
        Assert.Equal(["accessToken", "expiresIn", "tokenType", "user"], login.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/UserResponse", login.GetProperty("properties").GetProperty("user").GetProperty("$ref").GetString());
        Assert.Equal(("string", "date-time"), TypeAndFormat(schemas.GetProperty("UserResponse").GetProperty("properties").GetProperty("createdAt")));

        var problem = schemas.GetProperty("ProblemDetails").GetProperty("properties");
        foreach (var name in new[] { "type", "title", "status", "detail", "errors", "code", "seats", "availableSeats", "conflictingShowtimeId", "bookingStatus" })
        {
            Assert.True(problem.TryGetProperty(name, out _), name);
        }

        Assert.Equal("#/components/schemas/ValidationErrors", problem.GetProperty("errors").GetProperty("$ref").GetString());
        Assert.Equal("string", schemas.GetProperty("ValidationErrors").GetProperty("additionalProperties").GetProperty("items").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/BookingStatus", problem.GetProperty("bookingStatus").GetProperty("allOf")[0].GetProperty("$ref").GetString());
        Assert.Equal("string", problem.GetProperty("seats").GetProperty("items").GetProperty("type").GetString());
        Assert.Equal(["integer", "null"], Types(problem.GetProperty("conflictingShowtimeId")));
    }

    private static string[] Types(JsonElement schema) => schema.GetProperty("type") is { ValueKind: JsonValueKind.Array } types
        ? [.. types.EnumerateArray().Select(t => t.GetString()!).OrderBy(t => t == "null")]
        : [schema.GetProperty("type").GetString()!];

    private static (string?, string?) TypeAndFormat(JsonElement schema)
        => (schema.GetProperty("type").GetString(), schema.TryGetProperty("format", out var f) ? f.GetString() : null);

    private static JsonElement BuildSamples()
    {
        var document = OpenApiDocumentFactory.Build(typeof(SampleFunctions).Assembly, TicketFunctions.Common.Json.Options);
        return JsonDocument.Parse(document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1).GetAwaiter().GetResult()).RootElement.Clone();
    }
}
