using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dha.Search;

/// <summary>
/// Reads and writes an enum of the options as the text config.json and <c>--set</c> spell it ("all-ops",
/// "nas+hpo"). An unknown text fails with <see cref="UnknownTextException"/>, which names the allowed texts.
/// </summary>
internal sealed class TextEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private readonly string _what;
    private readonly (T Value, string Text)[] _names;

    /// <param name="what">What a value is, for the error ("a mode").</param>
    /// <param name="names">Every value with its text.</param>
    public TextEnumConverter(string what, params (T Value, string Text)[] names)
    {
        _what = what;
        _names = names;
    }

    public IEnumerable<string> Texts => _names.Select(n => n.Text);

    public string ToText(T value) =>
        _names.Where(n => EqualityComparer<T>.Default.Equals(n.Value, value)).Select(n => n.Text).FirstOrDefault()
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, $"not {_what}");

    /// <summary>The value spelled <paramref name="text"/> (trimmed, any case).</summary>
    /// <exception cref="UnknownTextException">No value is spelled so.</exception>
    public T Parse(string text)
    {
        var key = text.Trim().ToLowerInvariant();
        foreach (var (value, name) in _names)
        {
            if (name == key)
            {
                return value;
            }
        }
        throw new UnknownTextException($"'{text}' is not {_what}; use one of {string.Join(", ", Texts)}");
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Parse(reader.GetString()!)
            : throw new UnknownTextException($"{reader.TokenType.ToString().ToLowerInvariant()} is not {_what}; use one of {string.Join(", ", Texts)}");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(ToText(value));
}

/// <summary>A text that names no value of an option's enum; the message lists the allowed texts.</summary>
internal sealed class UnknownTextException(string message) : JsonException(message);
