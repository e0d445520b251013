package llm

import (
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// maxPromptExamples bounds the examples a prompt shows; the search checks
// all of them anyway, and a long prompt costs a small model its context.
const maxPromptExamples = 12

// maxHeader bounds the part of the task quoted before its constraints (the
// synth-fun and its grammar).
const maxHeader = 8 << 10

const systemPrompt = `You write programs in SyGuS (SMT-LIB 2) syntax for programming-by-example tasks.
Answer with exactly one (define-fun ...) for the function to synthesize: same name, parameters and return sort,
using only the operators and constants of its grammar. No explanation.`

// Prompt builds the conversation for one task: the task's synth-fun with
// its grammar, up to maxPromptExamples of its examples, and the field's
// programs of the same signature as worked examples. The examples are the
// task owner's data; Config.Validate keeps them on this machine unless the
// owner allows a remote server.
func Prompt(p *sygus.Problem, spec string, exemplars []string) []openai.ChatCompletionMessage {
	var b strings.Builder
	if len(exemplars) > 0 {
		b.WriteString("Programs that solved similar tasks on other nodes:\n")
		for _, e := range exemplars {
			b.WriteString(e)
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	b.WriteString("Task:\n")
	b.WriteString(header(spec))
	n := min(len(p.Examples), maxPromptExamples)
	for _, ex := range p.Examples[:n] {
		ins := make([]string, len(ex.In))
		for i, v := range ex.In {
			ins[i] = v.String()
		}
		call := "(" + p.Fun.Name
		if len(ins) > 0 {
			call += " " + strings.Join(ins, " ")
		}
		fmt.Fprintf(&b, "(constraint (= %s) %s))\n", call, ex.Out)
	}
	if more := len(p.Examples) - n; more > 0 {
		fmt.Fprintf(&b, "; ... and %d more examples\n", more)
	}
	b.WriteString("(check-synth)\n")
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: systemPrompt},
		{Role: openai.ChatMessageRoleUser, Content: b.String()},
	}
}

// header is the task's text before its first constraint: the logic, the
// synth-fun with its grammar, declared variables and helper definitions.
func header(spec string) string {
	h := spec
	if i := strings.Index(spec, "(constraint"); i >= 0 {
		h = spec[:i]
	}
	if len(h) > maxHeader {
		h = h[:maxHeader] + "\n; ... (grammar cut)\n"
	}
	// Comments may name the task or its owner; they say nothing the
	// model needs.
	var out []string
	for _, line := range strings.Split(h, "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, ";") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}
