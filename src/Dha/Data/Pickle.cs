using System.Buffers.Binary;
using System.Text;

namespace Dha.Data;

/// <summary>
/// A restricted reader of Python pickles, enough for the fixed dictionaries of the CIFAR python downloads and
/// nothing more: it knows the opcodes of protocols 1 to 4 that build dicts, lists, tuples, ints, floats, strings and
/// bytes, and exactly three callables, those that rebuild a numpy array (<c>numpy.core.multiarray._reconstruct</c>,
/// <c>numpy.dtype</c>, and <c>_codecs.encode</c> that Python 3 uses for bytes in protocol 2). Any other opcode or
/// callable is refused with one line naming the file, so a pickle can never run code here (unlike Python's own
/// <c>pickle.load</c>). Values come back as <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, null,
/// <c>byte[]</c> (Python 2 str and bytes), <see cref="string"/>, <c>List&lt;object?&gt;</c>, <c>object?[]</c> (tuple),
/// <c>Dictionary&lt;string, object?&gt;</c> (keys decoded as Latin-1) and <see cref="NumpyArray"/>.
/// </summary>
internal static class Pickle
{
    /// <summary>A numpy array: its shape, dtype string (for example <c>u1</c>) and raw C-order bytes.</summary>
    internal sealed class NumpyArray
    {
        public long[] Shape { get; set; } = [];

        public string DType { get; set; } = "";

        public byte[] Data { get; set; } = [];
    }

    private sealed record Global(string Module, string Name);

    private sealed record DType(string Name);

    /// <summary>Unpickles <paramref name="bytes"/>; <paramref name="file"/> names the source in errors.</summary>
    /// <exception cref="InvalidInputException">A truncated, damaged or foreign pickle.</exception>
    public static object? Load(byte[] bytes, string file) => new Machine(bytes, file).Run();

    private sealed class Machine(byte[] bytes, string file)
    {
        private readonly List<object?> _stack = [];
        private readonly Stack<int> _marks = new();
        private readonly Dictionary<long, object?> _memo = [];
        private int _position;

        public object? Run()
        {
            while (true)
            {
                var at = _position;
                var opcode = Take(1)[0];
                switch (opcode)
                {
                    case 0x80:
                        Take(1);
                        break; // PROTO
                    case 0x95:
                        Take(8);
                        break; // FRAME: only a read-ahead hint
                    case (byte)'.':
                        return _stack.Count == 1 ? _stack[0] : throw Damaged(at, "STOP with a malformed stack");
                    case (byte)'(':
                        _marks.Push(_stack.Count);
                        break;
                    case (byte)'}':
                        _stack.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                        break;
                    case (byte)']':
                        _stack.Add(new List<object?>());
                        break;
                    case (byte)')':
                        _stack.Add(Array.Empty<object?>());
                        break;
                    case (byte)'N':
                        _stack.Add(null);
                        break;
                    case 0x88:
                        _stack.Add(true);
                        break;
                    case 0x89:
                        _stack.Add(false);
                        break;
                    case (byte)'K':
                        _stack.Add((long)Take(1)[0]);
                        break;
                    case (byte)'M':
                        _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                        break;
                    case (byte)'J':
                        _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                        break;
                    case 0x8a:
                        _stack.Add(Long(Take(Take(1)[0]), at));
                        break;
                    case (byte)'G':
                        _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                        break;
                    case (byte)'U' or (byte)'C':
                        _stack.Add(Take(Take(1)[0]).ToArray());
                        break;
                    case (byte)'T' or (byte)'B':
                        _stack.Add(Take(Length(Take(4), at)).ToArray());
                        break;
                    case 0x8e:
                        _stack.Add(Take(Length(Take(8), at)).ToArray());
                        break;
                    case 0x8c:
                        _stack.Add(Encoding.UTF8.GetString(Take(Take(1)[0])));
                        break;
                    case (byte)'X':
                        _stack.Add(Encoding.UTF8.GetString(Take(Length(Take(4), at))));
                        break;
                    case 0x8d:
                        _stack.Add(Encoding.UTF8.GetString(Take(Length(Take(8), at))));
                        break;
                    case (byte)'q':
                        _memo[Take(1)[0]] = Top(at);
                        break;
                    case (byte)'r':
                        _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top(at);
                        break;
                    case 0x94:
                        _memo[_memo.Count] = Top(at);
                        break;
                    case (byte)'h':
                        _stack.Add(Recall(Take(1)[0], at));
                        break;
                    case (byte)'j':
                        _stack.Add(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at));
                        break;
                    case 0x85:
                        _stack.Add(Pop(1, at));
                        break;
                    case 0x86:
                        _stack.Add(Pop(2, at));
                        break;
                    case 0x87:
                        _stack.Add(Pop(3, at));
                        break;
                    case (byte)'t':
                        _stack.Add(PopMark(at));
                        break;
                    case (byte)'l':
                        _stack.Add(PopMark(at).ToList());
                        break;
                    case (byte)'d':
                        _stack.Add(SetItems(new Dictionary<string, object?>(StringComparer.Ordinal), PopMark(at), at));
                        break;
                    case (byte)'a':
                        Append(Pop(1, at), at);
                        break;
                    case (byte)'e':
                        Append(PopMark(at), at);
                        break;
                    case (byte)'s':
                        var pair = Pop(2, at);
                        SetItems(Top(at), pair, at);
                        break;
                    case (byte)'u':
                        var pairs = PopMark(at);
                        SetItems(Top(at), pairs, at);
                        break;
                    case (byte)'c':
                        _stack.Add(Callable(Line(at), Line(at), at));
                        break;
                    case 0x93:
                        var names = Pop(2, at);
                        _stack.Add(Callable(names[0] as string ?? throw Damaged(at, "STACK_GLOBAL without names"), names[1] as string ?? throw Damaged(at, "STACK_GLOBAL without names"), at));
                        break;
                    case (byte)'R':
                        var call = Pop(2, at);
                        _stack.Add(Reduce(call[0], call[1] as object?[] ?? throw Damaged(at, "REDUCE without an argument tuple"), at));
                        break;
                    case (byte)'b':
                        Build(Pop(1, at)[0], at);
                        break;
                    default:
                        throw Damaged(at, $"unsupported pickle opcode 0x{opcode:x2}");
                }
            }
        }

        private ReadOnlySpan<byte> Take(long count)
        {
            if (count > bytes.Length - _position)
            {
                throw new InvalidInputException($"{file}: truncated pickle ({bytes.Length} bytes, a value at byte {_position} needs {count} more)");
            }
            var span = bytes.AsSpan(_position, (int)count);
            _position += (int)count;
            return span;
        }

        private long Length(ReadOnlySpan<byte> field, int at)
        {
            var length = field.Length == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(field) : BinaryPrimitives.ReadInt64LittleEndian(field);
            return length is >= 0 and <= int.MaxValue ? length : throw Damaged(at, $"impossible length {length}");
        }

        private long Long(ReadOnlySpan<byte> digits, int at)
        {
            if (digits.Length > 8)
            {
                throw Damaged(at, $"a {digits.Length}-byte integer");
            }
            long value = 0;
            for (var i = digits.Length - 1; i >= 0; i--)
            {
                value = (value << 8) | digits[i];
            }
            // Two's complement: sign-extend from the top byte.
            return digits.Length is > 0 and < 8 && (digits[^1] & 0x80) != 0 ? value - (1L << (8 * digits.Length)) : value;
        }

        private string Line(int at)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', _position);
            if (end < 0)
            {
                throw Damaged(at, "GLOBAL without an end of line");
            }
            var text = Encoding.ASCII.GetString(bytes, _position, end - _position);
            _position = end + 1;
            return text;
        }

        private object? Top(int at) =>
            _stack.Count > 0 ? _stack[^1] : throw Damaged(at, "an empty stack");

        private object? Recall(long key, int at) =>
            _memo.TryGetValue(key, out var value) ? value : throw Damaged(at, $"memo {key} was never stored");

        private object?[] Pop(int count, int at)
        {
            var floor = _marks.Count > 0 ? _marks.Peek() : 0;
            if (_stack.Count - count < floor)
            {
                throw Damaged(at, "a stack too short for the opcode");
            }
            var items = _stack.GetRange(_stack.Count - count, count).ToArray();
            _stack.RemoveRange(_stack.Count - count, count);
            return items;
        }

        private object?[] PopMark(int at)
        {
            if (_marks.Count == 0)
            {
                throw Damaged(at, "no MARK before the opcode");
            }
            var mark = _marks.Pop();
            var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        private void Append(object?[] items, int at)
        {
            var list = Top(at) as List<object?> ?? throw Damaged(at, "APPEND to something that is not a list");
            list.AddRange(items);
        }

        private object SetItems(object? target, object?[] items, int at)
        {
            var dictionary = target as Dictionary<string, object?> ?? throw Damaged(at, "SETITEM on something that is not a dict");
            if (items.Length % 2 != 0)
            {
                throw Damaged(at, "a dict item without a value");
            }
            for (var i = 0; i < items.Length; i += 2)
            {
                var key = items[i] switch
                {
                    string text => text,
                    byte[] raw => Encoding.Latin1.GetString(raw),
                    _ => throw Damaged(at, "a dict key that is not a string"),
                };
                dictionary[key] = items[i + 1];
            }
            return dictionary;
        }

        private Global Callable(string module, string name, int at) => (module, name) switch
        {
            ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct") or ("numpy", "ndarray" or "dtype") or ("_codecs", "encode") => new Global(module, name),
            _ => throw Damaged(at, $"refusing {module}.{name} (only numpy arrays are read)"),
        };

        private object Reduce(object? callable, object?[] arguments, int at) => callable switch
        {
            Global { Name: "_reconstruct" } => new NumpyArray(),
            Global { Name: "dtype" } when arguments.Length > 0 => new DType(Text(arguments[0], at)),
            Global { Name: "encode" } when arguments.Length == 2 && arguments[0] is string text && Text(arguments[1], at) is "latin1" or "latin-1" =>
                Encoding.Latin1.GetBytes(text),
            _ => throw Damaged(at, "REDUCE of an unsupported call"),
        };

        private void Build(object? state, int at)
        {
            switch (Top(at))
            {
                case DType:
                    return;
                case NumpyArray array when state is object?[] { Length: 5 } fields && fields[1] is object?[] shape && fields[2] is DType type && fields[3] is false:
                    array.Shape = shape.Select(side => side as long? ?? throw Damaged(at, "a numpy shape that is not integers")).ToArray();
                    array.DType = type.Name;
                    array.Data = fields[4] switch
                    {
                        byte[] raw => raw,
                        string text => Encoding.Latin1.GetBytes(text),
                        _ => throw Damaged(at, "numpy data that is not raw bytes"),
                    };
                    return;
                default:
                    throw Damaged(at, "BUILD of an unsupported object (only C-order numpy arrays are read)");
            }
        }

        private string Text(object? value, int at) => value switch
        {
            string text => text,
            byte[] raw => Encoding.Latin1.GetString(raw),
            _ => throw Damaged(at, "a string was expected"),
        };

        private InvalidInputException Damaged(int at, string what) =>
            new($"{file}: {what} at byte {at} (not the expected Python pickle, or damaged)");
    }
}
