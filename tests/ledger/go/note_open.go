package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	msg, _ := io.ReadAll(os.Stdin)
	var verifiers []note.Verifier
	for _, k := range os.Args[1:] {
		v, err := note.NewVerifier(k)
		if err != nil {
			fmt.Println("BADKEY", err)
			os.Exit(2)
		}
		verifiers = append(verifiers, v)
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("OK %d %d\n", len(n.Sigs), len(n.UnverifiedSigs))
	fmt.Print(n.Text)
}
