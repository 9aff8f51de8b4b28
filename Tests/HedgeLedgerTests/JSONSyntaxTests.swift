import Foundation
import Testing
@testable import HedgeLedger

@Suite("Strict JSON grammar")
struct JSONSyntaxTests {
    func problem(_ text: String) -> JSONSyntax.Problem? { JSONSyntax.problem(in: Array(text.utf8)) }

    @Test("what Foundation parses, strict JSON included, passes; the checks agree with Foundation on valid input")
    func accepts() throws {
        let documents = [
            #"{"result": [{"instrument_name": "BTC-PERPETUAL", "size": -49000, "average_price": 1.5e+3, "delta": -0.51}]}"#,
            "[]", "{}", " [ 1 , -0.5 , 2E-3 , true , false , null , \"\\u00e9\\n\\\"\\/\" ] \n",
            #"{"a": {"b": [[], {}]}, "c": "\ud83d\ude00", "d": 0, "e": -0}"#,
            "\"just a string\"", "12",
            // The same key in two different objects is fine.
            #"[{"size": 1}, {"size": 2}]"#,
        ]
        #expect(JSONSyntax.problem(in: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == nil)  // a byte-order mark first, as some editors save
        #expect(problem("[1, \u{1}]")?.message == "expected a value (an object, array, string, number, true, false or null), found byte 0x1")
        for document in documents {
            #expect(problem(document) == nil, "\(document)")
            _ = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
        }
    }

    @Test("a repeated key is refused where it repeats, naming where it first was; escapes are decoded before comparing")
    func repeatedKeys() {
        #expect(problem("{\"size\": 1,\n \"size\": 2}")
                == .init(line: 2, column: 2, message: "key \"size\" is repeated in this object (first at line 1, column 2); each key may appear once, or which value counts is ambiguous"))
        #expect(problem(#"{"size": 1, "\u0073ize": 2}"#)?.message.hasPrefix("key \"size\" is repeated") == true)
        #expect(problem(#"[{"a": {"size": 1, "b": 2, "size": 3}}]"#)?.column == 28)
    }

    @Test("trailing commas, leading zeros, bad literals, control characters, unclosed strings, text after the value")
    func refusals() {
        // At the comma itself.
        #expect(problem("[1, 2,]") == .init(line: 1, column: 6, message: "a trailing comma (nothing after it before ']'); JSON allows none"))
        #expect(problem("{\"a\": 1,\n}") == .init(line: 1, column: 8, message: "a trailing comma (nothing after it before '}'); JSON allows none"))
        #expect(problem("[01]")?.message == "a number with a leading zero; JSON writes none")
        #expect(problem("[1.]")?.message == "a number needs a digit after its decimal point")
        #expect(problem("[1e]")?.message == "a number needs a digit in its exponent")
        #expect(problem("[-]")?.message == "a number needs a digit after its '-'")
        #expect(problem("[NaN]")?.message.hasPrefix("expected a value") == true)
        #expect(problem("[tru]")?.column == 2)
        #expect(problem("[\"a\tb\"]")?.message.hasPrefix("a control character (byte 0x9) inside a string") == true)
        #expect(problem("[\"abc")?.message == "a string that never closes")
        #expect(problem("[\"\\x\"]")?.message == "'\\x' is not a JSON escape")
        #expect(problem("[\"\\ud83d\"]")?.message.contains("unpaired surrogate") == true)
        #expect(problem("[1] [2]") == .init(line: 1, column: 5, message: "text after the end of the JSON value"))
        #expect(problem("[1 2]")?.message == "expected ',' or ']' in the array, found '2'")
        #expect(problem("{\"a\" 1}")?.message == "expected ':' after the key, found '1'")
        #expect(problem("")?.message == "expected a value, found the end of the file")
        #expect(problem("// comment\n[]")?.line == 1)
        #expect(JSONSyntax.problem(in: [UInt8(ascii: "["), UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\""), UInt8(ascii: "]")])?.message
                == "invalid UTF-8 in this string")
    }

    @Test("the place of a key path: the key itself, an array element, else the longest part of the path present")
    func places() {
        let text = Array("{\"name\": \"x\",\n \"columns\": {\"quantty\": \"Qty\"},\n \"only\": [{\"column\": \"T\"}, {\"values\": []}]}".utf8)
        #expect(JSONSyntax.place(of: "columns.quantty", in: text)! == (2, 14))
        #expect(JSONSyntax.place(of: "columns.price", in: text)! == (2, 2))
        #expect(JSONSyntax.place(of: "only[1].values", in: text)! == (3, 29))
        #expect(JSONSyntax.place(of: "only[1].column", in: text)! == (3, 28))
        #expect(JSONSyntax.place(of: "", in: text) == nil && JSONSyntax.place(of: "columns", in: Array("[1,".utf8)) == nil)
    }

    @Test("nesting deeper than 512 is refused without exhausting the stack")
    func depth() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        #expect(problem(deep)?.message == "nested more than 512 deep")
        #expect(problem(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) == nil)
    }
}
