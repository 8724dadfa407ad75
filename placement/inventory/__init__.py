"""The live inventory: units, places, availability, holds, vacancy reports."""
